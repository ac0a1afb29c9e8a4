package dev.operated.desired;

import io.fabric8.kubernetes.client.VersionInfo;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The API server's minor version: what decides which kubelet features the pods can use. */
public record KubernetesVersion(int major, int minor) implements Comparable<KubernetesVersion> {

  private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)\\+?(\\..*)?");

  /** Parses "1.30", "v1.30.2" or the "28+" minor some managed clusters report. */
  public static KubernetesVersion parse(String text) {
    Matcher matcher = VERSION.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a Kubernetes version: write it as "
          + "MAJOR.MINOR, e.g. 1.30");
    }
    return new KubernetesVersion(Integer.parseInt(matcher.group(1)),
        Integer.parseInt(matcher.group(2)));
  }

  public static KubernetesVersion of(String major, String minor) {
    return new KubernetesVersion(Integer.parseInt(major.replaceAll("\\D", "")),
        Integer.parseInt(minor.replaceAll("\\D", "")));
  }

  /** As an API server's /version answers: major and minor, else the git version ("v1.30.2"). */
  public static KubernetesVersion of(VersionInfo info) {
    if (info == null) {
      throw new IllegalArgumentException("the API server answered no version");
    }
    if (info.getMajor() != null && info.getMinor() != null) {
      return of(info.getMajor(), info.getMinor());
    }
    if (info.getGitVersion() == null) {
      throw new IllegalArgumentException("the API server's version names no major, minor or "
          + "gitVersion");
    }
    return parse(info.getGitVersion());
  }

  public boolean atLeast(int major, int minor) {
    return compareTo(new KubernetesVersion(major, minor)) >= 0;
  }

  @Override
  public int compareTo(KubernetesVersion other) {
    return major != other.major ? Integer.compare(major, other.major)
        : Integer.compare(minor, other.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
