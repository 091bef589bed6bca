package org.vspam.operator.webhook;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /mutate-pods}: the mutating admission webhook, as the API server calls it (an
 * {@code admission.k8s.io/v1} AdmissionReview over HTTPS; {@link ListenerFilter} keeps it off the
 * plain listener). A body that is not an AdmissionReview is a 400 with one line saying why.
 */
@Controller
final class MutatePodsController {
    static final String PATH = "/mutate-pods";
    private static final Logger LOG = LoggerFactory.getLogger(MutatePodsController.class);
    private final PodAdmission admission;
    private final KubernetesSerialization json;

    MutatePodsController(PodAdmission admission, KubernetesClient client) {
        this.admission = admission;
        this.json = client.getKubernetesSerialization();
    }

    @Post(uri = PATH, consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> mutate(@Body String body) {
        AdmissionReview review;
        try {
            review = json.unmarshal(body, AdmissionReview.class);
        } catch (RuntimeException e) {
            return refuse("the body is not an AdmissionReview: " + firstLine(e));
        }
        AdmissionRequest request = review == null ? null : review.getRequest();
        if (request == null || request.getUid() == null || request.getUid().isBlank()) {
            return refuse("the AdmissionReview has no request, or its request no uid");
        }
        if (request.getKind() == null || request.getOperation() == null) {
            return refuse("the AdmissionReview's request has no kind or no operation");
        }
        AdmissionReview answer;
        try {
            answer = new AdmissionReviewBuilder()
                    .withApiVersion(review.getApiVersion() == null ? "admission.k8s.io/v1" : review.getApiVersion())
                    .withKind("AdmissionReview")
                    .withResponse(admission.admit(request))
                    .build();
        } catch (IllegalArgumentException e) {
            return refuse("the AdmissionReview's object is not a pod: " + firstLine(e));
        }
        return HttpResponse.ok(json.asJson(answer));
    }

    private static HttpResponse<String> refuse(String message) {
        LOG.warn("refused a call to {}: {}", PATH, message);
        return HttpResponse.<String>badRequest(message + "\n").contentType(MediaType.TEXT_PLAIN_TYPE);
    }

    private static String firstLine(RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
