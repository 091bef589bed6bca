# syntax=docker/dockerfile:1
# The vspam operator. From the repository root:
#   docker build -f docker/operator.Dockerfile -t vspam-operator .
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY config config
COPY operator operator
COPY crds crds
COPY charts charts
# The parent lists every module; the other modules' poms are enough for Maven to read the build.
COPY agent/pom.xml agent/pom.xml
COPY packaging/pom.xml packaging/pom.xml
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -pl operator -am package -DskipTests

FROM eclipse-temurin:25-jre
WORKDIR /opt/vspam
COPY --from=build /src/operator/target/vspam-operator.jar vspam-operator.jar
COPY docker/operator.jvm.options vspam-operator.jvm.options
ENV MALLOC_ARENA_MAX=2
USER 65532:65532
VOLUME ["/tmp"]
# 8080: probes and metrics; 8443: the admission webhook (TLS)
EXPOSE 8080 8443
ENTRYPOINT ["java", "@/opt/vspam/vspam-operator.jvm.options", "-jar", "/opt/vspam/vspam-operator.jar"]
