package org.rawsockets.modbus;

/** The device answered with a Modbus exception response (function code with bit 7 set). */
public class ModbusExceptionResponse extends ModbusException {
    private static final long serialVersionUID = 1L;

    private final int functionCode;
    private final int rawExceptionCode;

    public ModbusExceptionResponse(String context, int functionCode, int exceptionCode) {
        super(context + ": device answered exception 0x" + String.format("%02X", exceptionCode) + " "
                + ExceptionCode.of(exceptionCode) + " to " + FunctionCode.describe(functionCode));
        this.functionCode = functionCode;
        this.rawExceptionCode = exceptionCode;
    }

    /** The function code of the request (without the exception bit). */
    public int functionCode() {
        return functionCode;
    }

    /** The exception code, {@link ExceptionCode#UNKNOWN} if outside the specification. */
    public ExceptionCode exceptionCode() {
        return ExceptionCode.of(rawExceptionCode);
    }

    /** The exception code byte as received. */
    public int rawExceptionCode() {
        return rawExceptionCode;
    }
}
