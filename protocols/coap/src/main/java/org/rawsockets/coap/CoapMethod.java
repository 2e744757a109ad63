package org.rawsockets.coap;

/** The request methods this client sends (RFC 7252 section 5.8, FETCH from RFC 8132). */
public enum CoapMethod {
    GET, POST, PUT, DELETE, FETCH
}
