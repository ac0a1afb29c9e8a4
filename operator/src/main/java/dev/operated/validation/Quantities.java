package dev.operated.validation;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A quantity's canonical form, as the API server stores it: k8s.io/apimachinery/pkg/api/resource
 * {@code ParseQuantity} then {@code Quantity.CanonicalizeBytes} (quantity.go). The suffix family
 * the user wrote is kept (binary Ki..Ei, decimal n..E, or an exponent); the mantissa is a whole
 * number and the suffix as large as it can be without losing precision: {@code 0.5 -> 500m},
 * {@code 1024Mi -> 1Gi}, {@code 2000 -> 2k}, {@code 1.5Gi -> 1536Mi}. A binary value between -1024
 * and 1024, or one that is not a whole number, is written with decimal suffixes instead. Values
 * finer than a nano-unit are rounded up, as ParseQuantity does. Leading and trailing spaces are
 * dropped, as {@code Quantity.UnmarshalJSON} drops them before it parses. What the API server
 * answers and stores is {@link #stringOf}: this form, unless ParseQuantity kept the text as
 * written. Shared by the operator's validation (a divisor is checked as the API server checks it)
 * and the embedded API server (which stores quantities that way).
 */
public final class Quantities {

  private static final Pattern QUANTITY = Pattern.compile(
      "^([+-]?[0-9]*\\.?[0-9]*)(?:([eE])([+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$");
  private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  private static final BigInteger THOUSAND_TWENTY_FOUR = BigInteger.valueOf(1024);

  private enum Format { BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT }

  private Quantities() {
  }

  /**
   * A quantity as written: its number (sign, digits, point), its suffix's family and the exponent
   * the suffix stands for (of ten for a decimal suffix or an exponent, of two for Ki..Ei).
   */
  private record Written(String text, String number, Format format, int exponent) {

    static Optional<Written> of(String text) {
      String trimmed = text.trim();
      Matcher m = QUANTITY.matcher(trimmed);
      if (!m.matches() || m.group(1).isEmpty() || m.group(1).matches("[+-]?\\.?")) {
        return Optional.empty();
      }
      String suffix = m.group(4) == null ? "" : m.group(4);
      if (m.group(2) != null) {
        return Optional.of(new Written(trimmed, m.group(1), Format.DECIMAL_EXPONENT,
            Integer.parseInt(m.group(3))));
      }
      if (suffix.endsWith("i")) {
        return Optional.of(new Written(trimmed, m.group(1), Format.BINARY_SI,
            10 * java.util.Arrays.asList(BINARY).indexOf(suffix)));
      }
      return Optional.of(new Written(trimmed, m.group(1), Format.DECIMAL_SI,
          decimalExponent(suffix)));
    }

    BigDecimal value() {
      BigDecimal number = new BigDecimal(this.number.startsWith("+") ? this.number.substring(1)
          : this.number.endsWith(".") ? this.number + "0" : this.number);
      return format == Format.BINARY_SI
          ? number.multiply(new BigDecimal(BigInteger.TWO.pow(exponent)))
          : number.scaleByPowerOfTen(exponent);
    }
  }

  /** The canonical form, or empty when the text is no quantity (validation refuses it). */
  public static Optional<String> canonical(String text) {
    return Written.of(text).map(Quantities::canonical);
  }

  /**
   * What {@code Quantity.String()} answers once the text is parsed: ParseQuantity keeps the text
   * as written when its fast path finds it canonical already ({@code s: str}), which it judges by
   * the digits alone, so {@code +1}, {@code 01}, {@code 1.} and {@code 1e0} stay as written; any
   * other text answers its canonical form. The API server compares this string where it checks a
   * value against a set ({@code validateContainerResourceDivisor}) and stores it.
   */
  public static Optional<String> stringOf(String text) {
    return Written.of(text).map(written ->
        keptAsWritten(written) ? written.text() : canonical(written));
  }

  private static String canonical(Written written) {
    Format format = written.format();
    BigDecimal value = written.value();
    // ParseQuantity: "if the amount is too precise, round up to nano" (inf.RoundUp: away from 0).
    if (value.scale() > 9) {
      value = value.setScale(9, RoundingMode.UP);
    }
    if (value.signum() == 0) {
      return "0";
    }
    if (format == Format.BINARY_SI) {
      boolean small = value.abs().compareTo(BigDecimal.valueOf(1024)) < 0;
      boolean whole = value.stripTrailingZeros().scale() <= 0;
      if (small || !whole) {
        format = Format.DECIMAL_SI;
      } else {
        BigInteger amount = value.toBigIntegerExact();
        int exponent = 0;
        while (exponent < BINARY.length - 1
            && amount.mod(THOUSAND_TWENTY_FOUR).signum() == 0) {
          amount = amount.divide(THOUSAND_TWENTY_FOUR);
          exponent++;
        }
        return amount + BINARY[exponent];
      }
    }
    // AsCanonicalBytes: every factor of ten into the exponent, then down to a multiple of 3.
    BigDecimal stripped = value.stripTrailingZeros();
    BigInteger amount = stripped.unscaledValue();
    int exponent = -stripped.scale();
    while (exponent % 3 != 0) {
      amount = amount.multiply(BigInteger.TEN);
      exponent--;
    }
    return amount + suffix(exponent, format);
  }

  /** ParseQuantity's fast path, to where it returns the parsed text with the value. */
  private static boolean keptAsWritten(Written written) {
    if (written.text().equals("0")) {
      return true;
    }
    String unsigned = written.number().replaceFirst("^[+-]", "");
    int dot = unsigned.indexOf('.');
    String num = (dot < 0 ? unsigned : unsigned.substring(0, dot)).replaceFirst("^0+", "");
    num = num.isEmpty() ? "0" : num;
    String denom = dot < 0 ? "" : unsigned.substring(dot + 1);
    boolean binary = written.format() == Format.BINARY_SI;
    int exponent = written.exponent();
    int precision;
    int scale;
    if (binary) {
      if (!denom.isEmpty()) {
        return false;
      }
      precision = 15 - num.length() - exponent * 3 / 10 - 1;
      scale = 0;
    } else {
      precision = 18 - (num.length() + denom.length());
      scale = exponent;
    }
    scale -= denom.length();
    if (precision < 0 || scale < -9) {
      return false;
    }
    String shifted = num + denom;
    long value = Long.parseLong(shifted);
    try {
      Math.multiplyExact(value, binary ? 1L << exponent : 1L);
    } catch (ArithmeticException overflow) {
      return false;
    }
    return binary ? exponent % 10 == 0 && (value & 0x07) != 0
        : scale % 3 == 0 && !shifted.endsWith("000") && shifted.charAt(0) != '0';
  }

  private static int decimalExponent(String suffix) {
    return switch (suffix) {
      case "n" -> -9;
      case "u" -> -6;
      case "m" -> -3;
      case "k" -> 3;
      case "M" -> 6;
      case "G" -> 9;
      case "T" -> 12;
      case "P" -> 15;
      case "E" -> 18;
      default -> 0;
    };
  }

  /** quantitySuffixer.constructBytes for base 10. */
  private static String suffix(int exponent, Format format) {
    if (format == Format.DECIMAL_EXPONENT) {
      return exponent == 0 ? "" : "e" + exponent;
    }
    return switch (exponent) {
      case -9 -> "n";
      case -6 -> "u";
      case -3 -> "m";
      case 0 -> "";
      case 3 -> "k";
      case 6 -> "M";
      case 9 -> "G";
      case 12 -> "T";
      case 15 -> "P";
      case 18 -> "E";
      default -> "e" + exponent;
    };
  }
}
