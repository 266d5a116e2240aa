package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A disk attached to a VM: its place in the VM's config ({@code slot}, see {@link VmDisk}), the
 * QEMU device id ({@code virtio-disk<slot>}) and whether the VM's running QEMU has that device now
 * ({@code live}); {@code live} is false while the VM does not run (the next start attaches it).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmDiskInfo(String pool, String diskId, int slot, String deviceId, boolean live) {}
