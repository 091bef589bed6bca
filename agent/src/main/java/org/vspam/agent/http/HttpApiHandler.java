package org.vspam.agent.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.observe.Pace;

/**
 * One HTTP connection: routes each request to its endpoint and writes the answer, one request at a
 * time (reading stops while a decision is pending, so answers leave in the order asked). The HTTP API
 * never answers 5xx for what a client sent: a charset Java does not know is {@code 415}, a body that is
 * not what its {@code Content-Encoding} says is {@code 400}, a body over 64 KiB {@code 413}, each with a
 * one-line {@code error}.
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);

    private static final Executor VIRTUAL = task -> Thread.ofVirtual().name("vspam-metrics").start(task);

    private final HttpEndpoints endpoints;
    /** Bodies over the limit are told at most once a minute, whatever their number (a client gone wrong sends many). */
    private final Pace oversizeTold;
    private boolean answering;
    private boolean inputClosed;

    HttpApiHandler(HttpEndpoints endpoints, Pace oversizeTold) {
        this.endpoints = endpoints;
        this.oversizeTold = oversizeTold;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpVersion version = request.protocolVersion();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            refuse(ctx, version, cause(request.decoderResult().cause()));
            return;
        }
        answering = true;
        ctx.channel().config().setAutoRead(false);
        CompletableFuture<HttpAnswer> answer;
        try {
            answer = route(request, ctx.channel().remoteAddress());
        } catch (RuntimeException e) {
            LOG.warn("{} {} could not be answered ({}: {}); answered 400", request.method(), request.uri(), e.getClass().getSimpleName(), e.getMessage());
            answer = CompletableFuture.completedFuture(unreadable());
        }
        boolean head = request.method().equals(HttpMethod.HEAD);
        answer.whenComplete((done, failure) -> ctx.executor().execute(() -> {
            HttpAnswer written = done != null ? done : unreadable();
            write(ctx, version, keepAlive && !inputClosed, head, written);
            answering = false;
            ctx.channel().config().setAutoRead(true);
        }));
    }

    private CompletableFuture<HttpAnswer> route(FullHttpRequest request, SocketAddress client) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        HttpMethod method = request.method();
        boolean get = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        String path = uri.path();
        if (path.equals("/check") && endpoints.check().isPresent()) {
            return get ? endpoints.check().get().get(first(uri, "sender_domain"), first(uri, "client_ip"), client)
                    : method.equals(HttpMethod.POST) ? post(endpoints.check().get(), request, client) : notAllowed("GET, HEAD, POST");
        }
        if (path.equals("/health") && endpoints.health().isPresent()) {
            return get ? CompletableFuture.completedFuture(endpoints.health().get().health()) : notAllowed("GET, HEAD");
        }
        if (path.equals("/metrics") && endpoints.metrics().isPresent()) {
            // Rendering every metric takes milliseconds: off the event loop, which answers Postfix meanwhile.
            return get ? CompletableFuture.supplyAsync(endpoints.metrics().get()::scrape, VIRTUAL) : notAllowed("GET, HEAD");
        }
        return CompletableFuture.completedFuture(HttpAnswer.error(404, "no such path: " + path + " (this listener serves "
                + endpoints.served() + ")", endpoints.json()));
    }

    private CompletableFuture<HttpAnswer> post(CheckEndpoint check, FullHttpRequest request, SocketAddress client) {
        Charset charset;
        try {
            charset = charset(request);
        } catch (IllegalArgumentException e) {
            LOG.debug("POST {} refused with 415: {}", request.uri(), e.getMessage());
            return CompletableFuture.completedFuture(HttpAnswer.error(415, "Content-Type names a charset that is not known; send UTF-8 JSON",
                    endpoints.json()));
        }
        return check.post(request.content().toString(charset), client);
    }

    /** The charset the body is written in: the one Content-Type names (an empty name is none known), else UTF-8, JSON's own. */
    private static Charset charset(FullHttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        int at = type == null ? -1 : type.toLowerCase(Locale.ROOT).indexOf("charset=");
        if (at < 0) {
            return StandardCharsets.UTF_8;
        }
        String name = type.substring(at + "charset=".length()).split(";", 2)[0].strip();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1);
        }
        return Charset.forName(name); // IllegalCharsetNameException and UnsupportedCharsetException are IllegalArgumentExceptions
    }

    /** Our own failure to answer a request, said as the client's mistake: a client of /check takes a 400 as "not listed", as it would a 500. */
    private HttpAnswer unreadable() {
        return HttpAnswer.error(400, "the request could not be read", endpoints.json());
    }

    private CompletableFuture<HttpAnswer> notAllowed(String allowed) {
        return CompletableFuture.completedFuture(HttpAnswer.notAllowed(allowed, endpoints.json()));
    }

    private static String first(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static void write(ChannelHandlerContext ctx, HttpVersion version, boolean keepAlive, boolean head, HttpAnswer answer) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(answer.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        if (!answer.allow().isEmpty()) {
            response.headers().set(HttpHeaderNames.ALLOW, answer.allow());
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A request the codec could not read (a line or header too long, a body too large or badly encoded): answered and closed. */
    private void refuse(ChannelHandlerContext ctx, HttpVersion version, Throwable cause) {
        int status = cause instanceof TooLongFrameException ? 413 : 400;
        String error = cause instanceof DecompressionException ? "the body is not encoded as its Content-Encoding says; send plain UTF-8 JSON"
                : status == 413 ? "the request is larger than the agent reads (a body of at most " + HttpServer.MAX_BODY_BYTES / 1024 + " KiB)" : "the request could not be read as HTTP";
        if (status == 413 && oversizeTold.due()) {
            LOG.warn("HTTP request from {} refused with 413: its body is larger than {} KiB, which the agent does not read "
                    + "(said at most once a minute)", ctx.channel().remoteAddress(), HttpServer.MAX_BODY_BYTES / 1024);
        } else {
            LOG.debug("HTTP request refused with {}: {}", status, cause == null ? error : cause.getMessage());
        }
        write(ctx, version, false, false, HttpAnswer.error(status, error, endpoints.json()));
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof DecoderException && failure.getCause() != null ? failure.getCause() : failure;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            if (!answering) {
                ctx.close();
            }
        } else if (event instanceof IdleStateEvent && !answering) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable failure) {
        if (ctx.channel().isActive() && !answering) {
            refuse(ctx, HttpVersion.HTTP_1_1, cause(failure));
        } else {
            ctx.close();
        }
    }
}
