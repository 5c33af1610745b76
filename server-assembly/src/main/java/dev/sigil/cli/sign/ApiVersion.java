package dev.sigil.cli.sign;

import java.util.Locale;

/** Which CSC API the client speaks: v2 (the default) or v1's field names under {@code /csc/v1/}. */
enum ApiVersion {
    V1("csc/v1/"),
    V2("csc/v2/");

    /** The path prefix, relative to the server's base URL. */
    final String prefix;

    ApiVersion(String prefix) {
        this.prefix = prefix;
    }

    /** {@code v1} or {@code v2}, case-insensitively. */
    static ApiVersion parse(String s) {
        for (ApiVersion v : values()) {
            if (v.name().equalsIgnoreCase(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("expected v1 or v2 but was '" + s + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
