package org.vspam.agent.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Busy loops, one per core, for as long as they are open: a memory or timing margin is only a margin if
 * it holds on a machine whose cores other work keeps busy, as CI's shared machines are.
 */
public final class BusyCores implements AutoCloseable {
    private final List<Process> loops;

    private BusyCores(List<Process> loops) {
        this.loops = loops;
    }

    /** {@code count} shell loops that spin until closed. */
    public static BusyCores start(int count) throws IOException {
        List<Process> loops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            loops.add(new ProcessBuilder("sh", "-c", "while :; do :; done").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        return new BusyCores(loops);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process loop : loops) {
            loop.destroyForcibly().waitFor();
        }
    }
}
