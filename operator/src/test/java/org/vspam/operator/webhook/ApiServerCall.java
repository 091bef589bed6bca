package org.vspam.operator.webhook;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A call to the webhook as the API server makes it: HTTPS to the Service's name, trusting only the caBundle. */
final class ApiServerCall {
    static final String SERVICE_NAME = "vspam-operator.vspam-system.svc";

    private ApiServerCall() {
    }

    record Response(int status, String body) {
    }

    static Response post(int port, String path, String body, List<X509Certificate> trusted) throws Exception {
        return post(port, path, body, trusted, SERVICE_NAME);
    }

    static Response post(int port, String path, String body, List<X509Certificate> trusted, String name) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return request(port, "POST " + path + " HTTP/1.1\r\nHost: " + name + ":443\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, */*\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n" + body, trusted, name);
    }

    /** Over TLS as the API server connects: SNI and the certificate checked against the Service's name, only the bundle trusted. */
    static Response request(int port, String raw, List<X509Certificate> trusted, String name) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
            trust.setCertificateEntry("ca-" + i, trusted.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        try (Socket plain = new Socket("localhost", port);
             SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, name, port, true)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(List.of(new SNIHostName(name)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int start = text.indexOf("\r\n\r\n") + 4;
            String head = text.substring(0, start).toLowerCase(Locale.ROOT);
            String body = text.substring(start);
            if (head.contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            return new Response(status, body);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int end = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, end).strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, end + 2, end + 2 + size);
            at = end + 2 + size + 2;
        }
    }

}
