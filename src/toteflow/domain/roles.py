"""Who may do what: roles and the permissions each one holds."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PICKER = "picker"
    PACKER = "packer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    RECEIVER = "receiver"
    COUNTER = "counter"
    REPLENISHER = "replenisher"


class Permission(StrEnum):
    READ_CATALOGUE = "read_catalogue"  # products, locations
    # Stock quantities: what is where and how many. Not a counter's: counting is blind, so
    # the server never tells a counter what the books expect.
    READ_STOCK = "read_stock"
    ADJUST_STOCK = "adjust_stock"
    READ_ORDERS = "read_orders"
    MANAGE_ORDERS = "manage_orders"  # create, cancel, change lines, hold, release
    MANAGE_USERS = "manage_users"
    MANAGE_STATIONS = "manage_stations"
    READ_AUDIT = "read_audit"
    MANAGE_CATALOGUE = "manage_catalogue"  # products and locations
    PICK = "pick"  # take pick tasks
    PACK = "pack"  # pack and ship
    MANAGE_WAVES = "manage_waves"  # build, release, hold, cancel waves; floor exceptions
    READ_NOTICES = "read_notices"  # purchase orders and shipping notices expected in
    MANAGE_NOTICES = "manage_notices"  # create and cancel notices (the ERP's feed)
    PUT_AWAY = "put_away"  # receive onto a plate, ask where it goes, confirm it there
    MOVE_STOCK = "move_stock"  # move stock by hand from one location to another
    COUNT = "count"  # take cycle counts and count locations (blind)
    MANAGE_COUNTS = "manage_counts"  # request counts, approve or reject variances
    REPLENISH = "replenish"  # take replenishments: bring stock from reserve to pick faces


_FLOOR = frozenset({Permission.READ_CATALOGUE, Permission.READ_STOCK, Permission.READ_ORDERS})

GRANTS: dict[Role, frozenset[Permission]] = {
    # Pickers also put away (they did before the receiver role existed; kept so they still can).
    Role.PICKER: _FLOOR | {Permission.PICK, Permission.PUT_AWAY, Permission.MOVE_STOCK},
    Role.PACKER: _FLOOR | {Permission.PACK},
    # Receivers check deliveries against their notices (and may see the orders a delivery
    # is wanted for); they do not pick or pack.
    Role.RECEIVER: _FLOOR | {Permission.READ_NOTICES, Permission.PUT_AWAY, Permission.MOVE_STOCK},
    # Counters count locations, blind: they never see the book quantity.
    Role.COUNTER: frozenset({Permission.READ_CATALOGUE, Permission.READ_ORDERS, Permission.COUNT}),
    # Replenishers bring stock from reserve to the pick faces; pickers only where the site
    # allows it ([station] pickers_replenish), checked where the work is handed out.
    Role.REPLENISHER: _FLOOR | {Permission.REPLENISH, Permission.MOVE_STOCK},
    Role.SUPERVISOR: _FLOOR
    | {
        Permission.PICK,
        Permission.PACK,
        Permission.ADJUST_STOCK,
        Permission.MANAGE_ORDERS,
        Permission.MANAGE_USERS,
        Permission.READ_AUDIT,
        Permission.MANAGE_WAVES,
        Permission.READ_NOTICES,
        Permission.MANAGE_NOTICES,
        Permission.PUT_AWAY,
        Permission.MOVE_STOCK,
        Permission.COUNT,
        Permission.MANAGE_COUNTS,
        Permission.REPLENISH,
    },
    Role.ADMIN: frozenset(Permission),
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether a person in this role may do this."""
    return permission in GRANTS[role]
