package dev.sigil.backend.pkcs11.internal;

import java.util.Locale;
import java.util.Optional;

/**
 * The vendors whose documented quirks this backend knows. A profile is optional and deliberately
 * small: it changes only what is listed here, everything else is plain PKCS#11.
 *
 * <ul>
 *   <li>{@link #CLOUDHSM}: AWS CloudHSM's PKCS#11 library takes the crypto user's name and password
 *       together as the PIN of {@code C_Login}, as {@code <CU user>:<password>}; the profile checks
 *       that form when the configuration is read, so a PIN without the user name fails at once with
 *       a configuration message instead of as a rejected login (which counts against the user).</li>
 *   <li>{@link #SOFTHSM}, {@link #LUNA}, {@link #NSHIELD}, {@link #UTIMACO}: no behaviour change;
 *       naming the vendor puts it in the log and selects the vendor notes of
 *       {@code docs/backends/pkcs11.md}. The wrapper itself recognises vendor libraries by file name
 *       (its {@code vendor.conf}) for vendor mechanism codes and ECDSA output formats.</li>
 * </ul>
 */
enum VendorProfile {
    SOFTHSM("softhsm"),
    LUNA("luna"),
    NSHIELD("nshield"),
    UTIMACO("utimaco"),
    CLOUDHSM("cloudhsm");

    private final String configName;

    VendorProfile(String configName) {
        this.configName = configName;
    }

    /** The value of {@code vendor.profile} that selects this profile. */
    String configName() {
        return configName;
    }

    /** The profile named by {@code text} (case-insensitive), or empty if there is none. */
    static Optional<VendorProfile> parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (VendorProfile p : values()) {
            if (p.configName.equals(t)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The accepted values, for messages: {@code softhsm, luna, nshield, utimaco, cloudhsm}. */
    static String names() {
        StringBuilder b = new StringBuilder();
        for (VendorProfile p : values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(p.configName);
        }
        return b.toString();
    }

    /**
     * Checks the form of the user PIN for this vendor; never logs or returns the PIN.
     *
     * @param pin the PIN; not modified
     * @return the problem, as the end of a configuration message, or null if the form is right
     */
    String pinFormProblem(char[] pin) {
        if (this == CLOUDHSM) {
            int colon = -1;
            for (int i = 0; i < pin.length; i++) {
                if (pin[i] == ':') {
                    colon = i;
                    break;
                }
            }
            if (colon <= 0 || colon == pin.length - 1) {
                return "vendor.profile cloudhsm needs the user PIN in the form <CU user>:<password>";
            }
        }
        return null;
    }
}
