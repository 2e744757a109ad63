package org.rawsockets.print.internal.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One HTTP/1.1 response: status, headers (names in lower case, in order) and the whole, bounded body. */
public record HttpResponse(int status, String reason, List<Map.Entry<String, String>> headers, byte[] body) {

    public Optional<String> header(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return headers.stream().filter(h -> h.getKey().equals(n)).map(Map.Entry::getValue).findFirst();
    }

    public List<String> headers(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return headers.stream().filter(h -> h.getKey().equals(n)).map(Map.Entry::getValue).toList();
    }
}
