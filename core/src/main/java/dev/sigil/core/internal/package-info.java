/** Core services; private to the bundle. */
package dev.sigil.core.internal;
