/** The HTTPS transport; private to the bundle. */
package dev.sigil.transport.https.internal;
