package io.vmsaga.functions.create;

import io.vmsaga.functions.core.CidataRecords.Cidata;
import io.vmsaga.functions.core.NoCloudNetwork;
import io.vmsaga.functions.core.VmPlan;

/**
 * The three NoCloud documents of a VM: {@code meta-data} (instance id = VM id, hostname), {@code
 * user-data} (the caller's, or a {@code #cloud-config} with the hostname and SSH keys) and a
 * version 2 {@code network-config} ({@link NoCloudNetwork}). Values are quoted as YAML
 * double-quoted strings.
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
        guest
            .sshAuthorizedKeys()
            .forEach(key -> config.append("\n  - ").append(NoCloudNetwork.quote(key)));
      }
      userData = config.append("\n").toString();
    }
    return new Cidata(
        metaData, userData, NoCloudNetwork.of(vm.nic().mac(), addressWithPrefix, gateway));
  }
}
