package org.rawsockets.socket.contract;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables the contract tests a runner declared as {@link ImplementationGap}s, unless the system
 * property {@code contract.runGaps} is {@code true} (to check whether a gap is closed:
 * {@code -Dcontract.runGaps=true}).
 */
public final class ImplementationGaps implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty() || Boolean.getBoolean("contract.runGaps")) {
            return ConditionEvaluationResult.enabled("class level");
        }
        String method = context.getRequiredTestMethod().getName();
        for (ImplementationGap gap : context.getRequiredTestClass().getAnnotationsByType(ImplementationGap.class)) {
            if (gap.test().equals(method)) {
                return ConditionEvaluationResult.disabled("implementation gap: " + gap.reason());
            }
        }
        return ConditionEvaluationResult.enabled("no declared gap");
    }
}
