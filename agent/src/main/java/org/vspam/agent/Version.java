package org.vspam.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's version, stamped into the jar by the build. */
public final class Version {
    private static final String VERSION = read();

    private Version() {
    }

    public static String current() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/META-INF/vspam/version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "development");
        } catch (IOException e) {
            return "development";
        }
    }
}
