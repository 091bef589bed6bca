# syntax=docker/dockerfile:1
# The vspam agent. From the repository root:
#   docker build -f docker/agent.Dockerfile -t vspam-agent .
#   docker run --rm --read-only --tmpfs /tmp -p 127.0.0.1:10045:10045 -e VSPAM_LISTEN=tcp://0.0.0.0:10045 vspam-agent
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY config config
COPY agent agent
# The parent lists every module; the other modules' poms are enough for Maven to read the build.
COPY operator/pom.xml operator/pom.xml
COPY packaging/pom.xml packaging/pom.xml
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -pl agent -am package -DskipTests

FROM eclipse-temurin:25-jre
WORKDIR /opt/vspam
COPY --from=build /src/agent/target/vspam-agent.jar vspam-agent.jar
COPY docker/agent.jvm.options vspam-agent.jvm.options
# The AOT cache is recorded here, with the very JVM, jar path and flags of the ENTRYPOINT: it is only
# used when all three match. It halves the time to the first answer (README, "Container images").
COPY docker/aot-training.sh /tmp/aot-training.sh
RUN bash /tmp/aot-training.sh /opt/vspam/vspam-agent.jar /opt/vspam/vspam-agent.aot /opt/vspam/vspam-agent.jvm.options \
    && rm /tmp/aot-training.sh
# glibc's per-thread malloc arenas are memory a small JVM does not need.
ENV MALLOC_ARENA_MAX=2
# uid/gid 65532, no shell login, nothing writable but the volumes below (run with a read-only root).
USER 65532:65532
VOLUME ["/tmp", "/var/lib/vspam", "/var/run/vspam"]
EXPOSE 10045 10046
ENTRYPOINT ["java", "@/opt/vspam/vspam-agent.jvm.options", "-XX:AOTCache=/opt/vspam/vspam-agent.aot", "-jar", "/opt/vspam/vspam-agent.jar"]
CMD ["serve"]
