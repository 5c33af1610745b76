/** Sessions, sole control and the credential directory: the policy of Sigil. Private. */
package dev.sigil.core.internal.session;
