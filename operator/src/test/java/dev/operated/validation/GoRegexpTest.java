package dev.operated.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A schema's pattern matches what Go's {@code regexp.MatchString} matches, the way kube-openapi's
 * {@code validate.Pattern} (pkg/validation/validate/values.go) checks every CRD pattern. The
 * expectations are Go's (regexp/syntax: "$ at end of text (like \z not \Z)", "[[:alpha:]]" an
 * ASCII class, "." any character but a newline), where Java's own reading differs in each row
 * marked so.
 */
class GoRegexpTest {

  @ParameterizedTest(name = "{0} on {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      // $ is the end of the text, not before a final line break (Java's own: true)
      "^/[a-z]*$       | '/livez\\n'  | false",
      "^/[a-z]*$       | '/livez'     | true",
      "^\\S+$          | 'nginx:1\\n' | false",
      "^\\S+$          | 'nginx:1'    | true",
      // a dollar in a class, escaped or quoted is a dollar
      "^a[$]$          | 'a$'         | true",
      "^a\\$$          | 'a$'         | true",
      "^\\Qa$\\E$      | 'a$'         | true",
      "^\\Qa$\\E$      | 'a$\\n'      | false",
      // . refuses only a newline (Java's own: false for \r)
      "^a.b$           | 'a\\rb'      | true",
      "^a.b$           | 'a\\nb'      | false",
      // POSIX classes inside a class, and '[' '&' as themselves (Java's own: no match / error)
      "^[[:alpha:]]+$  | 'abc'        | true",
      "^[[:alpha:]]+$  | 'ab1'        | false",
      "^[[:^digit:]]+$ | 'ab'         | true",
      "^[[:word:]]+$   | 'a_1'        | true",
      "^[a&&b]+$       | '&a'         | true",
      "^[[a]+$         | '[a'         | true",
      "^[]a]+$         | ']a'         | true",
      "^[^]a]+$        | 'b'          | true",
      "^[^]a]+$        | ']'          | false",
      // unanchored, as MatchString is
      "b               | 'abc'        | true"})
  void aPatternMatchesWhatGosRegexpMatches(String pattern, String escapedInput, boolean matches) {
    String input = escapedInput.replace("\\n", "\n").replace("\\r", "\r");
    Pattern compiled = GoRegexp.compile(pattern);
    assertThat(compiled.matcher(input).find()).as("%s on %s", pattern, escapedInput)
        .isEqualTo(matches);
  }
}
