package dev.netcost.cadvisor;

import java.util.Arrays;

/** The labels of the line being parsed; reused for every line, valid only during the visitor call. */
public final class ParsedLabels {
    private String[] names = new String[16];
    private String[] values = new String[16];
    private int size;

    void clear() {
        size = 0;
    }

    /** Adds a label; false when the line already has one of that name. */
    boolean add(String name, String value) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return false;
            }
        }
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size] = value;
        size++;
        return true;
    }

    public int size() {
        return size;
    }

    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** The value of {@code name}, or null when the line has no such label. */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return values[i];
            }
        }
        return null;
    }
}
