package org.rawsockets.smtp.e2e;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough JSON reading for the smtp-server records (flat values written by JSON.stringify). */
final class Json {
    private Json() {
    }

    static String string(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return m.find() ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : null;
    }

    static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no number " + key + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    static boolean bool(String json, String key) {
        return json.contains("\"" + key + "\":true");
    }

    static List<String> strings(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\\[([^\\]]*)\\]").matcher(json);
        List<String> out = new ArrayList<>();
        if (m.find()) {
            Matcher s = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
            while (s.find()) {
                out.add(s.group(1));
            }
        }
        return out;
    }

    static byte[] body(String json) {
        String b = string(json, "body");
        return b == null ? null : Base64.getDecoder().decode(b);
    }
}
