package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TotpSeedsTest {
    private static final String SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    private static final String TAIL = "&algorithm=SHA1&digits=6&period=30";

    @Test
    void newSeedIs32Base32CharactersThatDecodeTo20Bytes() {
        char[] seed = TotpSeeds.newSeed(new SecureRandom());

        assertEquals(32, seed.length);
        assertTrue(new String(seed).matches("[A-Z2-7]{32}"), new String(seed));
        assertEquals(20, Base32.decode(seed, 64).length);
    }

    @Test
    void newSeedsDiffer() {
        SecureRandom random = new SecureRandom();

        assertFalse(Arrays.equals(TotpSeeds.newSeed(random), TotpSeeds.newSeed(random)));
    }

    @Test
    void otpauthUriFollowsTheKeyUriFormatWithTheDefaults() {
        assertEquals("otpauth://totp/Sigil:alice?secret=" + SEED + "&issuer=Sigil" + TAIL,
                TotpSeeds.otpauthUri("Sigil", "alice", SEED.toCharArray()));
    }

    @Test
    void otpauthUriPercentEncodesSpacesAndAtSignsInIssuerAndAccount() throws Exception {
        String uri = TotpSeeds.otpauthUri("ACME Co", "alice@example.com", SEED.toCharArray());

        assertEquals("otpauth://totp/ACME%20Co:alice%40example.com?secret=" + SEED + "&issuer=ACME%20Co" + TAIL, uri);
        URI parsed = new URI(uri);
        assertEquals("otpauth", parsed.getScheme());
        assertEquals("totp", parsed.getHost());
        assertEquals("/ACME Co:alice@example.com", parsed.getPath());
    }

    @Test
    void otpauthUriKeepsQueryDelimitersAndNonAsciiOutOfTheStructure() throws Exception {
        String uri = TotpSeeds.otpauthUri("Bank & Trust?#/+=%", "Jürgen Müller", SEED.toCharArray());

        assertEquals("otpauth://totp/Bank%20%26%20Trust%3F%23%2F%2B%3D%25:J%C3%BCrgen%20M%C3%BCller?secret="
                + SEED + "&issuer=Bank%20%26%20Trust%3F%23%2F%2B%3D%25" + TAIL, uri);
        URI parsed = new URI(uri);
        assertEquals("/Bank & Trust?#/+=%:Jürgen Müller", parsed.getPath());
        assertEquals(5, parsed.getRawQuery().split("&").length, parsed.getRawQuery());
        assertNull(parsed.getRawFragment());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sigil:Prod", ":", "a:b"})
    void otpauthUriRefusesAColonInIssuerOrAccount(String withColon) {
        IllegalArgumentException issuer = assertThrows(IllegalArgumentException.class,
                () -> TotpSeeds.otpauthUri(withColon, "alice", SEED.toCharArray()));
        IllegalArgumentException account = assertThrows(IllegalArgumentException.class,
                () -> TotpSeeds.otpauthUri("Sigil", withColon, SEED.toCharArray()));

        assertTrue(issuer.getMessage().startsWith("issuer must not contain ':'"), issuer.getMessage());
        assertTrue(account.getMessage().startsWith("account must not contain ':'"), account.getMessage());
    }

    @Test
    void otpauthUriRefusesABlankIssuerOrAccount() {
        assertThrows(IllegalArgumentException.class, () -> TotpSeeds.otpauthUri(" ", "alice", SEED.toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> TotpSeeds.otpauthUri("Sigil", "", SEED.toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> TotpSeeds.otpauthUri(null, "alice", SEED.toCharArray()));
    }

    @Test
    void otpauthUriWritesTheSeedInCanonicalFormAndLeavesTheCallersBufferAlone() {
        char[] spaced = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq".toCharArray();
        char[] copy = spaced.clone();
        char[] padded = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====".toCharArray();

        assertTrue(TotpSeeds.otpauthUri("Sigil", "alice", spaced).contains("?secret=" + SEED + "&"));
        assertTrue(TotpSeeds.otpauthUri("Sigil", "alice", padded)
                .contains("?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&"));
        assertArrayEquals(copy, spaced);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GEZDGNBVGY3TQOJQ", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", ""})
    void otpauthUriRefusesASeedThatEnrollWouldRefuseWithoutQuotingIt(String seed) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TotpSeeds.otpauthUri("Sigil", "alice", seed.toCharArray()));

        assertEquals(TotpAuthenticator.SEED_RULE, e.getMessage());
    }

    @Test
    void otpauthUriCarriesOtherParametersWhenGiven() {
        String uri = TotpSeeds.otpauthUri("Sigil", "alice", SEED.toCharArray(),
                new TotpParameters(TotpAlgorithm.SHA256, 8, 60));

        assertTrue(uri.endsWith("&issuer=Sigil&algorithm=SHA256&digits=8&period=60"), uri);
    }

    @Test
    void aNewSeedAppearsInItsUriAsItIs() {
        char[] seed = TotpSeeds.newSeed(new SecureRandom());

        String uri = TotpSeeds.otpauthUri("Sigil", "bob", seed);

        assertTrue(uri.contains("?secret=" + new String(seed) + "&"), uri);
    }
}
