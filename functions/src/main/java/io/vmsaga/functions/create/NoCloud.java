package io.vmsaga.functions.create;

import io.vmsaga.functions.core.CidataRecords.Cidata;
import io.vmsaga.functions.core.VmPlan;

/**
 * The three NoCloud documents of a VM: {@code meta-data} (instance id = VM id, hostname), {@code
 * user-data} (the caller's, or a {@code #cloud-config} with the hostname and SSH keys) and a
 * version 2 {@code network-config} giving the NIC, matched by MAC, its static address and default
 * route. Values are quoted as YAML double-quoted strings.
 */
final class NoCloud {
  private NoCloud() {}

  static Cidata of(VmPlan vm, String addressWithPrefix, String gateway) {
    var guest = vm.guest();
    // the VM id and hostname are checked ids: plain scalars
    String metaData = "instance-id: " + vm.vmId() + "\nlocal-hostname: " + guest.hostname() + "\n";
    String userData = guest.userData();
    if (userData == null) {
      var config = new StringBuilder("#cloud-config\nhostname: ").append(guest.hostname());
      if (guest.sshAuthorizedKeys() != null && !guest.sshAuthorizedKeys().isEmpty()) {
        config.append("\nssh_authorized_keys:");
        guest.sshAuthorizedKeys().forEach(key -> config.append("\n  - ").append(quote(key)));
      }
      userData = config.append("\n").toString();
    }
    var network =
        new StringBuilder("version: 2\nethernets:\n  eth0:\n    match:\n      macaddress: ")
            .append(quote(vm.nic().mac()))
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
    return new Cidata(metaData, userData, network.toString());
  }

  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
