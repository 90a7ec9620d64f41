package dev.netcost.core.config;

import dev.netcost.core.log.Printable;
import java.util.ArrayList;
import java.util.List;

/** Collects every configuration problem so start-up can report them all at once. */
public final class ConfigErrors {
    private final List<String> problems = new ArrayList<>();

    public void add(String key, String problem) {
        problems.add(Printable.of((key.isEmpty() ? "(top level)" : key) + ": " + problem));
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Throws a {@link ConfigException} listing every problem, if there is any. */
    public void throwIfAny(String source) {
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
    }
}
