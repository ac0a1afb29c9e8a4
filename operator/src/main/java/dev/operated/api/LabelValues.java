package dev.operated.api;

import java.util.regex.Pattern;

/** apimachinery's {@code IsValidLabelValue}, for the validator and for labels the operator sets. */
public final class LabelValues {

  public static final int MAX_LENGTH = 63;
  /** util: {@code labelValueFmt}; the empty value is valid. */
  private static final Pattern LABEL_VALUE = Pattern.compile(
      "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  private LabelValues() {
  }

  public static boolean isValid(String value) {
    return value.length() <= MAX_LENGTH && LABEL_VALUE.matcher(value).matches();
  }
}
