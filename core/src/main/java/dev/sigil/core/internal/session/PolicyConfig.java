package dev.sigil.core.internal.session;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Session and sole-control policy (PID {@code dev.sigil.policy}); the defaults are safe. */
@ObjectClassDefinition(name = "Sigil policy", description = "Token and SAD lifetimes, attempt limits")
@interface PolicyConfig {
    @AttributeDefinition(description = "Lifetime of a bearer token from auth/login, in seconds")
    int token_ttl_seconds() default 1800;

    @AttributeDefinition(description = "Lifetime of a SAD from credentials/authorize, in seconds")
    int sad_ttl_seconds() default 300;

    @AttributeDefinition(description = "Longest a SAD may live through credentials/extendTransaction, in seconds")
    int sad_max_lifetime_seconds() default 1800;

    @AttributeDefinition(description = "Consecutive failures of a password, PIN or one-time code before it is locked")
    int max_failures() default 5;

    @AttributeDefinition(description = "How long a locked factor stays locked, in seconds")
    int lockout_seconds() default 300;

    @AttributeDefinition(description = "Lockouts of a credential's PIN without a success before the PIN is "
            + "blocked until an administrator unblocks it")
    int pin_max_lockouts() default 3;

    @AttributeDefinition(description = "Failed logins from one client address before the address is locked out")
    int address_max_failures() default 20;

    @AttributeDefinition(description = "How long a client address stays locked out, in seconds")
    int address_lockout_seconds() default 300;

    @AttributeDefinition(description = "Longest a signatures/signHash may spend in its backend, in seconds; a "
            + "backend gives up (and a throttled key service stops retrying) by then")
    int sign_timeout_seconds() default 30;

    @AttributeDefinition(description = "How often expired tokens, SADs and idle attempt counters are removed, "
            + "in seconds (at least 10)")
    int purge_interval_seconds() default 600;
}
