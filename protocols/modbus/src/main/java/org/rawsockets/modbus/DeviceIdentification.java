package org.rawsockets.modbus;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The result of Read Device Identification (function 43, MEI type 14).
 *
 * @param conformityLevel the conformity level byte the device reported
 * @param objects object id → raw value, in the order received
 */
public record DeviceIdentification(int conformityLevel, Map<Integer, byte[]> objects) {

    public static final int VENDOR_NAME = 0x00;
    public static final int PRODUCT_CODE = 0x01;
    public static final int MAJOR_MINOR_REVISION = 0x02;
    public static final int VENDOR_URL = 0x03;
    public static final int PRODUCT_NAME = 0x04;
    public static final int MODEL_NAME = 0x05;
    public static final int USER_APPLICATION_NAME = 0x06;

    public DeviceIdentification {
        objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
    }

    /** Object {@code id} as text (ISO-8859-1, as Modbus strings are bytes). */
    public Optional<String> text(int id) {
        byte[] v = objects.get(id);
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.ISO_8859_1));
    }

    /** The standard name of object {@code id}, e.g. {@code VendorName}, or {@code Object 0x80}. */
    public static String objectName(int id) {
        return switch (id) {
            case VENDOR_NAME -> "VendorName";
            case PRODUCT_CODE -> "ProductCode";
            case MAJOR_MINOR_REVISION -> "MajorMinorRevision";
            case VENDOR_URL -> "VendorUrl";
            case PRODUCT_NAME -> "ProductName";
            case MODEL_NAME -> "ModelName";
            case USER_APPLICATION_NAME -> "UserApplicationName";
            default -> String.format("Object 0x%02X", id);
        };
    }
}
