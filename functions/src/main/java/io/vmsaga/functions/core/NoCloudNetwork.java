package io.vmsaga.functions.core;

/**
 * The version 2 NoCloud {@code network-config} of a VM's NIC: matched by MAC, named eth0, its
 * static address and default route where its network has them. Values are quoted as YAML
 * double-quoted strings.
 */
public final class NoCloudNetwork {
  private NoCloudNetwork() {}

  public static String of(String mac, String addressWithPrefix, String gateway) {
    var network =
        new StringBuilder("version: 2\nethernets:\n  eth0:\n    match:\n      macaddress: ")
            .append(quote(mac))
            .append("\n    set-name: eth0\n");
    if (addressWithPrefix != null) {
      network.append("    addresses:\n      - ").append(addressWithPrefix).append("\n");
      if (gateway != null) {
        network
            .append("    routes:\n      - to: 0.0.0.0/0\n        via: ")
            .append(gateway)
            .append("\n");
      }
    }
    return network.toString();
  }

  public static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
