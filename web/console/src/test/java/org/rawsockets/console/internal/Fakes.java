package org.rawsockets.console.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Minimal servlet request/response and configuration stand-ins for driving the servlet directly. */
final class Fakes {

    private Fakes() {
    }

    /** A request: method, path, headers, parameters, cookies. */
    static final class Req {
        String method = "GET";
        String uri = "/";
        boolean secure;
        String remote = "127.0.0.1";
        final Map<String, String> headers = new HashMap<>(Map.of("Host", "127.0.0.1:8080"));
        final Map<String, String> params = new HashMap<>();
        final List<Cookie> cookies = new ArrayList<>();
        byte[] body;
        String contentType;

        Req(String method, String uri) {
            this.method = method;
            this.uri = uri;
        }

        Req param(String k, String v) {
            params.put(k, v);
            return this;
        }

        Req header(String k, String v) {
            headers.put(k, v);
            return this;
        }

        Req body(String type, byte[] bytes) {
            contentType = type;
            body = bytes;
            return this;
        }

        Req cookie(String v) {
            cookies.add(new Cookie(ConsoleServlet.COOKIE, v));
            return this;
        }

        HttpServletRequest proxy() {
            return (HttpServletRequest) Proxy.newProxyInstance(Fakes.class.getClassLoader(),
                    new Class<?>[] { HttpServletRequest.class }, (p, m, a) -> switch (m.getName()) {
                        case "getMethod" -> method;
                        case "getRequestURI" -> uri;
                        case "getContextPath" -> "";
                        case "getHeader" -> headers.get((String) a[0]);
                        case "getParameter" -> params.get((String) a[0]);
                        case "getCookies" -> cookies.isEmpty() ? null : cookies.toArray(new Cookie[0]);
                        case "getRemoteAddr" -> remote;
                        case "isSecure" -> secure;
                        case "getContentLengthLong" -> body == null ? -1L : (long) body.length;
                        case "getContentType" -> contentType;
                        case "getInputStream" -> input(body == null ? new byte[0] : body);
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    static ServletInputStream input(byte[] bytes) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        return new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener l) {
            }
        };
    }

    /** A response that records status, headers, cookies and body. */
    static final class Resp {
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
        final List<Cookie> cookies = new ArrayList<>();
        final StringWriter body = new StringWriter();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String redirect;

        HttpServletResponse proxy() {
            PrintWriter writer = new PrintWriter(body);
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    bytes.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener l) {
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(Fakes.class.getClassLoader(),
                    new Class<?>[] { HttpServletResponse.class }, (p, m, a) -> {
                        switch (m.getName()) {
                            case "setStatus" -> status = (Integer) a[0];
                            case "setHeader" -> headers.put((String) a[0], (String) a[1]);
                            case "addCookie" -> cookies.add((Cookie) a[0]);
                            case "sendRedirect" -> {
                                status = 302;
                                redirect = (String) a[0];
                            }
                            case "getWriter" -> {
                                return writer;
                            }
                            case "getOutputStream" -> {
                                return out;
                            }
                            case "setContentType", "setCharacterEncoding" -> {
                            }
                            default -> throw new UnsupportedOperationException(m.getName());
                        }
                        return null;
                    });
        }

        String body() {
            return body.toString() + bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A {@link ConsoleConfig} with its defaults, overridden by {@code values}. */
    static ConsoleConfig config(Map<String, Object> values) {
        return (ConsoleConfig) Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] { ConsoleConfig.class },
                (p, m, a) -> {
                    if (m.getName().equals("annotationType")) {
                        return (Class<? extends Annotation>) ConsoleConfig.class;
                    }
                    return values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue();
                });
    }
}
