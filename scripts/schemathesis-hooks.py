"""Schemathesis hooks for the administrators' pass of `scripts/dev test` (run_schemathesis).

A generated call of an administrators' function that would make or delete something real is aimed
where nothing can be made or nothing exists, whatever else was generated: the request still goes
through the function's checks and lookups, and can only be refused. Every other administrators'
function reads, or runs a sweep its schedule runs anyway.
"""

import os

import schemathesis

# the run's own tenant: it exists (so createTenant under its id is refused), and is removed afterwards
TENANT = os.environ["VMSAGA_ST_TENANT"]
# a network and an image that exist (their create is refused), and an id that nothing has
NETWORK = os.environ.get("VMSAGA_ST_NETWORK", "default")
IMAGE = os.environ.get("VMSAGA_ST_IMAGE", "vmsaga-tiny")
NOTHING = "st-nothing-has-this-id"

AIMED = {
    "createTenant": {"tenantId": TENANT},  # 409 tenant_exists
    "setQuota": {"tenantId": TENANT},
    "createNetwork": {"networkId": NETWORK},  # 409 network_exists
    "deleteNetwork": {"networkId": NOTHING},  # 404
    "importImage": {"name": IMAGE, "url": "http://127.0.0.1:9/elsewhere.qcow2"},  # 409 exists
    "deleteImage": {"imageId": NOTHING},  # 404
    "registerNode": {"nodeId": NOTHING, "agentUrl": "http://127.0.0.1:9"},  # 409 agent_unreachable
    "assignVm": {"vmId": NOTHING},  # 404
}


@schemathesis.hook
def before_call(context, case, kwargs):
    aimed = AIMED.get(case.operation.definition.raw.get("operationId"))
    if aimed is not None and isinstance(case.body, dict):
        case.body = {**case.body, **aimed}
