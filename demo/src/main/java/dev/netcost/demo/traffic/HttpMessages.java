package dev.netcost.demo.traffic;

import java.nio.charset.StandardCharsets;

/**
 * The demo's HTTP/1.1 messages, byte for byte, so that the plan knows the exact TCP payload of every
 * request before it is sent: a {@code GET /bytes/N} answered with N bytes, and a {@code POST /upload}
 * of N bytes answered with 204. One request per connection ({@code Connection: close}): each request
 * is one new connection, the load balancer's LCU dimension.
 */
public final class HttpMessages {
    static final String USER_AGENT = "netcost-demo";

    private HttpMessages() {
    }

    /** The head of a GET asking for {@code bytes} bytes. */
    public static byte[] getRequest(String host, long bytes) {
        return ascii("GET /bytes/" + bytes + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + USER_AGENT
                + "\r\nConnection: close\r\n\r\n");
    }

    /** The head of the answer to a GET, followed by {@code bytes} bytes of body. */
    public static byte[] getResponseHead(long bytes) {
        return ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + bytes
                + "\r\nConnection: close\r\n\r\n");
    }

    /** The head of a POST of {@code bytes} bytes, followed by the body. */
    public static byte[] postRequestHead(String host, long bytes) {
        return ascii("POST /upload HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + USER_AGENT
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + bytes
                + "\r\nConnection: close\r\n\r\n");
    }

    /** The whole answer to a POST. */
    public static byte[] postResponse() {
        return ascii("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    }

    /** TCP payload the client sends for one request. */
    public static long requestBytes(String method, String host, long body) {
        return method.equals("GET") ? getRequest(host, body).length : postRequestHead(host, body).length + body;
    }

    /** TCP payload the server sends back for one request. */
    public static long responseBytes(String method, long body) {
        return method.equals("GET") ? getResponseHead(body).length + body : postResponse().length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
