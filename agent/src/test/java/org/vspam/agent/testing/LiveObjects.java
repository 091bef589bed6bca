package org.vspam.agent.testing;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/** What this JVM still holds after a full collection, as {@code jcmd PID GC.class_histogram} counts it. */
public final class LiveObjects {
    private LiveObjects() {
    }

    /** Instances reachable now of the classes whose name ends with {@code suffix} (a full collection first). */
    public static long count(String suffix) {
        String histogram;
        try {
            histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("the JVM's class histogram could not be read", e);
        }
        long instances = 0;
        for (String line : histogram.split("\n")) {
            String[] columns = line.strip().split("\\s+"); // "1:  28152  3228256  [B (java.base@25)"
            if (columns.length >= 4 && columns[0].endsWith(":") && columns[3].endsWith(suffix)) {
                instances += Long.parseLong(columns[1]);
            }
        }
        return instances;
    }
}
