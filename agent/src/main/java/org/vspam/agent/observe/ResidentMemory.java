package org.vspam.agent.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code process_resident_memory_bytes}, under the name Prometheus' own client libraries give it: the
 * process's resident memory as the kernel counts it ({@code VmRSS}). The JVM's heap and non-heap
 * figures leave out what a container's memory limit also holds (the AOT cache's mapped pages, the
 * compilers' work areas, thread stacks, malloc): an agent showing 25 MiB of heap may be 125 MiB resident.
 * Registered only where {@code /proc/self/status} exists (Linux).
 */
final class ResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentMemory() {
    }

    static void register(MeterRegistry registry) {
        if (Files.isReadable(STATUS)) {
            Gauge.builder("process.resident.memory", STATUS, ResidentMemory::read).baseUnit("bytes")
                    .description("Resident memory of the agent's process, as the kernel counts it (VmRSS)")
                    .register(registry);
        }
    }

    private static double read(Path status) {
        try {
            return bytes(Files.readString(status));
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** The {@code VmRSS} line of a {@code /proc/PID/status} text, in bytes; NaN without one. */
    static double bytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
                return Long.parseLong(fields[0]) * 1024.0; // the kernel writes it in kB (KiB)
            }
        }
        return Double.NaN;
    }
}
