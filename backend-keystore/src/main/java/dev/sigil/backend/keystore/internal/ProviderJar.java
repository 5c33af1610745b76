package dev.sigil.backend.keystore.internal;

import dev.sigil.api.SigilException;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.Provider;
import java.util.jar.JarFile;

/**
 * A JCA provider loaded from a jar that is not on any class path, for a vendor JCE that ships as an
 * operating-system package rather than on Maven Central (AWS CloudHSM's, for example). The jar gets
 * a class loader of its own; the provider instance is handed to {@code getInstance} calls and never
 * registered with {@code java.security.Security}, so nothing changes JVM-wide and two backends can
 * load two versions of one vendor's jar.
 *
 * <p>The loader looks in the jar first and asks its parent (the bundle's class loader, which sees the
 * JDK) only for classes the jar lacks: a vendor jar that embeds its own copy of a library, such as
 * BouncyCastle, uses that copy, and {@link Provider} itself comes from the JDK, so the instance is
 * one the JCA accepts.
 *
 * <p>The provider class must be in the jar and extend {@link Provider}. It is created with its public
 * no-argument constructor, or, when {@code provider.config} is set, with its public {@code (String)}
 * constructor or else by {@link Provider#configure(String)} on a no-argument instance.
 */
final class ProviderJar implements AutoCloseable {
    private final Provider provider;
    private final JarFirstClassLoader loader;

    private ProviderJar(Provider provider, JarFirstClassLoader loader) {
        this.provider = provider;
        this.loader = loader;
    }

    /**
     * Loads the provider class from the jar and instantiates it.
     *
     * @param settings the settings naming {@code provider.jar}, {@code provider.class} and optionally
     *                 {@code provider.config}; the jar is known to be a regular file
     * @param parent   the class loader for everything the jar lacks (the bundle's)
     * @throws SigilException {@link dev.sigil.api.ErrorCode#CONFIGURATION} with one line naming the
     *                        setting and the problem
     */
    static ProviderJar load(KeystoreSettings settings, ClassLoader parent) throws SigilException {
        Path jar = settings.providerJar();
        String className = settings.providerClass();
        String config = settings.providerConfig();
        // The class must be the jar's own: one the parent also has would not come from the jar.
        boolean inJar;
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            inJar = jarFile.getEntry(className.replace('.', '/') + ".class") != null;
        } catch (IOException | SecurityException e) {
            throw settings.problem("provider.jar " + jar + " is not a readable jar file (" + oneLine(e) + ")");
        }
        if (!inJar) {
            throw settings.problem("provider.class " + className + " is not in provider.jar " + jar);
        }
        URL url;
        try {
            url = jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw settings.problem("provider.jar " + jar + " cannot be given to a class loader");
        }
        JarFirstClassLoader loader = new JarFirstClassLoader(
                "sigil-keystore-provider-" + settings.backendId(), url, parent);
        boolean done = false;
        try {
            Class<?> type;
            try {
                type = Class.forName(className, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw settings.problem("provider.class " + className + " cannot be loaded from provider.jar "
                        + jar + " (" + oneLine(e) + ")");
            }
            if (!Provider.class.isAssignableFrom(type)) {
                throw settings.problem("provider.class " + className + " is not a java.security.Provider subclass");
            }
            if (Modifier.isAbstract(type.getModifiers())) {
                throw settings.problem("provider.class " + className + " is abstract");
            }
            Provider provider = instantiate(settings, type.asSubclass(Provider.class), className, config);
            done = true;
            return new ProviderJar(provider, loader);
        } finally {
            if (!done) {
                closeQuietly(loader);
            }
        }
    }

    /** The provider instance; never registered with {@code java.security.Security}. */
    Provider provider() {
        return provider;
    }

    /** The class loader the provider's classes come from, for tests. */
    ClassLoader classLoader() {
        return loader;
    }

    /** Closes the jar; the provider must not be used any more. */
    @Override
    public void close() {
        closeQuietly(loader);
    }

    private static Provider instantiate(KeystoreSettings settings, Class<? extends Provider> type, String className,
                                        String config) throws SigilException {
        try {
            if (config != null) {
                Constructor<? extends Provider> withConfig = publicConstructor(type, String.class);
                if (withConfig != null) {
                    return withConfig.newInstance(config);
                }
            }
            Constructor<? extends Provider> noArgs = publicConstructor(type);
            if (noArgs == null) {
                throw settings.problem("provider.class " + className + " has no public no-argument constructor"
                        + (config == null ? "" : " and no public (String) constructor for provider.config"));
            }
            Provider provider = noArgs.newInstance();
            if (config == null) {
                return provider;
            }
            try {
                return provider.configure(config);
            } catch (UnsupportedOperationException e) {
                throw settings.problem("provider.class " + className + " takes no provider.config (it has no "
                        + "public (String) constructor and does not support Provider.configure)");
            } catch (RuntimeException e) {
                throw settings.problem("provider.class " + className + " refused provider.config (" + oneLine(e) + ")");
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw settings.problem("provider.class " + className + " could not be instantiated (" + oneLine(cause) + ")");
        } catch (ReflectiveOperationException | LinkageError e) {
            throw settings.problem("provider.class " + className + " could not be instantiated (" + oneLine(e) + ")");
        }
    }

    private static <T> Constructor<T> publicConstructor(Class<T> type, Class<?>... parameters) {
        try {
            Constructor<T> c = type.getConstructor(parameters);
            return Modifier.isPublic(c.getModifiers()) ? c : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            // Nothing was written; the jar file handle goes with the loader.
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        String text = message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
        return text.replaceAll("\\s+", " ").strip();
    }

    /** A class loader that looks in its jar before asking its parent (except for the JDK's own packages). */
    static final class JarFirstClassLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        JarFirstClassLoader(String name, URL jar, ClassLoader parent) {
            super(name, new URL[] {jar}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                    || name.startsWith("sun.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        return super.loadClass(name, resolve);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        @Override
        public URL getResource(String name) {
            URL own = findResource(name);
            return own != null ? own : super.getResource(name);
        }
    }
}
