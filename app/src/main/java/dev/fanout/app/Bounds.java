package dev.fanout.app;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The least and greatest value a whole-number option takes, declared beside the option: {@link Cli} checks
 * it after parsing (a value outside stops the start, naming the option) and shows it in {@code --help}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Bounds {

  long min();

  long max();
}
