package org.wso2.carbon.clustering.mesos.carbon;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Calls into Hazelcast API that is not the same binary on every major (the cluster, members,
 * lifecycle, group / cluster name): the tests are compiled once and run on 3.5 → 5.3.
 */
final class Reflect {

    private Reflect() {
    }

    /** {@code target.name(args)} on the public method of that name and arity. */
    static Object call(Object target, String name, Object... args) throws Exception {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterTypes().length == args.length) {
                try {
                    // Hazelcast's implementation classes are not all public.
                    m.setAccessible(true);
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Exception) {
                        throw (Exception) cause;
                    }
                    throw (Error) cause;
                }
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + name + " with " + args.length
                + " argument(s)");
    }

    /** {@code target.name(arg)} on the public method {@code name(type)} of {@code owner}. */
    static Object callAs(Class<?> owner, Object target, String name, Class<?> type, Object arg) throws Exception {
        try {
            return owner.getMethod(name, type).invoke(target, arg);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw (Error) cause;
        }
    }
}
