package org.vspam.operator;

import io.micronaut.runtime.Micronaut;

/** The operator's entry point. */
public final class VspamOperator {
    private VspamOperator() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(VspamOperator.class).banner(false).start();
    }
}
