package dev.sigil.backend.pkcs11.internal;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_PARAMS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_POINT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LABEL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_MODULUS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PUBLIC_EXPONENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeyState;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Reads signing keys from a token: private keys, described by the public key object with the same
 * {@code CKA_ID} (RSA modulus and exponent; EC named curve from {@code CKA_EC_PARAMS} and point from
 * {@code CKA_EC_POINT}). A private key whose {@code CKA_SIGN} is false exists but may not sign: it
 * is listed with {@link KeyState#DISABLED} (so that it is reported as disabled rather than missing)
 * and the backend refuses to sign with it.
 *
 * <p>A key's id in Sigil is the lowercase hex of its {@code CKA_ID}. Keys without a
 * {@code CKA_ID}, with a {@code CKA_ID} that two private keys share, of another type than RSA or
 * EC, on a curve other than P-256/P-384/P-521, or without a readable public key are skipped with a
 * warning: signing with an ambiguous or undescribable key is worse than not offering it.
 *
 * <p>Stateless; every method uses the session it is given and throws what the token says.
 */
final class TokenKeys {
    private static final Logger LOG = LoggerFactory.getLogger(TokenKeys.class);
    private static final HexFormat HEX = HexFormat.of();

    /** A usable key: what clients see, its CKA_ID and the private key handle that signs. */
    record TokenKey(KeyInfo info, byte[] ckaId, long handle) {
        /** The number of bytes of the curve order (EC) or of the modulus (RSA). */
        int orderBytes() {
            return (info.bits() + 7) / 8;
        }
    }

    private final String backendId;
    private final Set<SignatureAlgorithm> algorithms;

    /**
     * @param backendId  the id that the keys' references carry
     * @param algorithms the algorithms the token can perform; a key gets those of its type
     */
    TokenKeys(String backendId, Set<SignatureAlgorithm> algorithms) {
        this.backendId = backendId;
        this.algorithms = Set.copyOf(algorithms);
    }

    /** The key id of a CKA_ID: its lowercase hex. */
    static String keyId(byte[] ckaId) {
        return HEX.formatHex(ckaId);
    }

    /** The CKA_ID of a key id, or null if the id is not hex of at least one byte. */
    static byte[] ckaId(String keyId) {
        if (keyId.isEmpty() || keyId.length() % 2 != 0) {
            return null;
        }
        try {
            return HEX.parseHex(keyId);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Every private key on the token that Sigil can describe, enabled or disabled, by key id in
     * token order.
     *
     * @throws PKCS11Exception as the token reports it
     */
    Map<String, TokenKey> all(Session session) throws PKCS11Exception {
        long[] handles = session.findAllObjectsSingle(new AttributeVector().class_(CKO_PRIVATE_KEY));
        Map<String, List<Long>> byId = new LinkedHashMap<>();
        Map<Long, byte[]> ids = new HashMap<>();
        for (long handle : handles) {
            byte[] ckaId = session.getAttrValues(handle, CKA_ID).id();
            if (ckaId == null || ckaId.length == 0) {
                LOG.warn("{} '{}': skipping private key object {} ('{}'): it has no CKA_ID", Pkcs11Settings.COMPONENT,
                        backendId, handle, label(session, handle));
                continue;
            }
            ids.put(handle, ckaId);
            byId.computeIfAbsent(keyId(ckaId), k -> new java.util.ArrayList<>()).add(handle);
        }
        Map<String, TokenKey> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Long>> e : byId.entrySet()) {
            if (e.getValue().size() > 1) {
                LOG.warn("{} '{}': skipping key id {}: {} private keys share that CKA_ID", Pkcs11Settings.COMPONENT,
                        backendId, e.getKey(), e.getValue().size());
                continue;
            }
            long handle = e.getValue().get(0);
            TokenKey key = describe(session, handle, ids.get(handle), null);
            if (key != null) {
                out.put(e.getKey(), key);
            }
        }
        return out;
    }

    /**
     * The key with this CKA_ID, enabled or disabled, or null if the token has no single private key
     * with it.
     *
     * @throws PKCS11Exception as the token reports it
     */
    TokenKey find(Session session, byte[] ckaId) throws PKCS11Exception {
        long[] handles = session.findObjectsSingle(
                new AttributeVector().class_(CKO_PRIVATE_KEY).id(ckaId), 2);
        if (handles.length != 1) {
            if (handles.length > 1) {
                LOG.warn("{} '{}': key id {} is ambiguous: several private keys share that CKA_ID",
                        Pkcs11Settings.COMPONENT, backendId, keyId(ckaId));
            }
            return null;
        }
        return describe(session, handles[0], ckaId, null);
    }

    /**
     * Describes a private key from its public key: the public key object with the same CKA_ID, or
     * {@code publicHandle} when the caller knows it (right after generation).
     *
     * @return the key, or null (with a warning) if Sigil cannot use it
     * @throws PKCS11Exception as the token reports it
     */
    TokenKey describe(Session session, long privateHandle, byte[] ckaId, Long publicHandle) throws PKCS11Exception {
        String keyId = keyId(ckaId);
        AttributeVector privateAttributes = session.getAttrValues(privateHandle, CKA_KEY_TYPE, CKA_SIGN);
        Long keyType = privateAttributes.keyType();
        // CKA_SIGN false: the token will refuse C_SignInit (CKR_KEY_FUNCTION_NOT_PERMITTED). A token
        // that does not report the attribute is left to decide when signing.
        KeyState state = Boolean.FALSE.equals(privateAttributes.sign()) ? KeyState.DISABLED : KeyState.ENABLED;
        Long pub = publicHandle;
        if (pub == null) {
            long[] pubs = session.findObjectsSingle(new AttributeVector().class_(CKO_PUBLIC_KEY).id(ckaId), 1);
            pub = pubs.length == 0 ? null : pubs[0];
        }
        KeyType type;
        int bits;
        EcCurve curve = null;
        PublicKey publicKey;
        try {
            if (keyType != null && keyType == CKK_RSA) {
                // An RSA private key carries its modulus and public exponent too: use them when the
                // token keeps no public key object.
                AttributeVector a = session.getAttrValues(pub != null ? pub : privateHandle,
                        CKA_MODULUS, CKA_PUBLIC_EXPONENT);
                BigInteger n = a.modulus();
                BigInteger e = a.publicExponent();
                if (n == null || e == null) {
                    LOG.warn("{} '{}': skipping RSA key {}: its modulus or public exponent cannot be read",
                            Pkcs11Settings.COMPONENT, backendId, keyId);
                    return null;
                }
                type = KeyType.RSA;
                bits = n.bitLength();
                publicKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
            } else if (keyType != null && keyType == CKK_EC) {
                if (pub == null) {
                    LOG.warn("{} '{}': skipping EC key {}: there is no public key object with its CKA_ID",
                            Pkcs11Settings.COMPONENT, backendId, keyId);
                    return null;
                }
                AttributeVector a = session.getAttrValues(pub, CKA_EC_PARAMS, CKA_EC_POINT);
                String oid = namedCurveOid(a.ecParams());
                curve = oid == null ? null : EcCurve.ofOid(oid).orElse(null);
                if (curve == null) {
                    LOG.warn("{} '{}': skipping EC key {}: its curve ({}) is not P-256, P-384 or P-521",
                            Pkcs11Settings.COMPONENT, backendId, keyId, oid == null ? "not a named curve" : oid);
                    return null;
                }
                publicKey = ecPublicKey(curve, a.ecPoint());
                if (publicKey == null) {
                    LOG.warn("{} '{}': skipping EC key {}: its CKA_EC_POINT is not an uncompressed point",
                            Pkcs11Settings.COMPONENT, backendId, keyId);
                    return null;
                }
                type = KeyType.EC;
                bits = curve.bits();
            } else {
                LOG.warn("{} '{}': skipping key {}: key type {} is neither RSA nor EC", Pkcs11Settings.COMPONENT,
                        backendId, keyId, keyType);
                return null;
            }
        } catch (GeneralSecurityException e) {
            LOG.warn("{} '{}': skipping key {}: its public key cannot be decoded", Pkcs11Settings.COMPONENT,
                    backendId, keyId, e);
            return null;
        }
        Set<SignatureAlgorithm> algs = EnumSet.noneOf(SignatureAlgorithm.class);
        for (SignatureAlgorithm a : algorithms) {
            if (a.keyType() == type) {
                algs.add(a);
            }
        }
        if (algs.isEmpty()) {
            LOG.warn("{} '{}': skipping {} key {}: the token offers no signature mechanism for it",
                    Pkcs11Settings.COMPONENT, backendId, type, keyId);
            return null;
        }
        KeyInfo info = new KeyInfo(new KeyRef(backendId, keyId), type, bits, curve, publicKey, List.of(), algs,
                state);
        return new TokenKey(info, ckaId.clone(), privateHandle);
    }

    private static String label(Session session, long handle) {
        try {
            return session.getAttrValues(handle, CKA_LABEL).label();
        } catch (PKCS11Exception e) {
            return "?";
        }
    }

    /**
     * The OID of a {@code CKA_EC_PARAMS} value that names a curve (DER {@code OBJECT IDENTIFIER}),
     * or null if it holds explicit parameters or cannot be read.
     */
    static String namedCurveOid(byte[] ecParams) {
        if (ecParams == null || ecParams.length < 3 || ecParams[0] != 0x06
                || (ecParams[1] & 0x80) != 0 || ecParams[1] != ecParams.length - 2) {
            return null;
        }
        StringBuilder oid = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (int i = 2; i < ecParams.length; i++) {
            int b = ecParams[i] & 0xFF;
            if (value > (Long.MAX_VALUE >>> 7)) {
                return null;
            }
            value = (value << 7) | (b & 0x7F);
            if ((b & 0x80) != 0) {
                if (i == ecParams.length - 1) {
                    return null;
                }
                continue;
            }
            if (first) {
                int arc1 = value < 40 ? 0 : value < 80 ? 1 : 2;
                oid.append(arc1).append('.').append(value - 40L * arc1);
                first = false;
            } else {
                oid.append('.').append(value);
            }
            value = 0;
        }
        return oid.toString();
    }

    /**
     * The public key of an EC point as {@code CKA_EC_POINT} holds it: a DER OCTET STRING around the
     * uncompressed point (PKCS#11), or the bare point (some vendors). Null for a compressed or
     * malformed point.
     */
    static PublicKey ecPublicKey(EcCurve curve, byte[] ecPoint) throws GeneralSecurityException {
        int field = (curve.bits() + 7) / 8;
        byte[] point = uncompressedPoint(ecPoint, field);
        if (point == null) {
            return null;
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + field));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + field, point.length));
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec(curve.standardName()));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
    }

    private static byte[] uncompressedPoint(byte[] ecPoint, int field) {
        int raw = 1 + 2 * field;
        if (ecPoint == null) {
            return null;
        }
        if (ecPoint.length == raw && ecPoint[0] == 0x04) {
            return ecPoint;
        }
        // DER OCTET STRING: tag 0x04, a short or one/two-byte long length, then the point.
        if (ecPoint.length < 2 || ecPoint[0] != 0x04) {
            return null;
        }
        int length;
        int offset;
        int first = ecPoint[1] & 0xFF;
        if (first < 0x80) {
            length = first;
            offset = 2;
        } else if (first == 0x81 && ecPoint.length > 2) {
            length = ecPoint[2] & 0xFF;
            offset = 3;
        } else if (first == 0x82 && ecPoint.length > 3) {
            length = ((ecPoint[2] & 0xFF) << 8) | (ecPoint[3] & 0xFF);
            offset = 4;
        } else {
            return null;
        }
        if (length != raw || offset + length != ecPoint.length || ecPoint[offset] != 0x04) {
            return null;
        }
        return Arrays.copyOfRange(ecPoint, offset, ecPoint.length);
    }
}
