"""The station's SSCC serials: blocks reserved from the server, one serial per carton."""

from __future__ import annotations

from toteflow.domain.errors import Refused
from toteflow.domain.gs1 import make_sscc
from toteflow.station.ports.packing import PackServer
from toteflow.station.ports.store import StationUnitOfWork, StationUnitOfWorkFactory


class SsccPool:
    def __init__(self, uow: StationUnitOfWorkFactory, block_size: int) -> None:
        self.uow = uow
        self.block_size = block_size

    def left(self) -> int:
        with self.uow() as uow:
            return uow.packing.sscc_left()

    def take(self, uow: StationUnitOfWork) -> tuple[str, int]:
        """(SSCC, its serial) from the oldest block, in the caller's unit of work."""
        taken = uow.packing.take_sscc()
        if taken is None:
            raise Refused(
                "this station has no SSCC numbers left: connect it to the server "
                "and open the order again"
            )
        prefix, extension, serial = taken
        return make_sscc(extension, prefix, serial), serial

    async def top_up(self, server: PackServer, session_token: str, minimum: int = 10) -> int:
        """Reserve another block from the server when fewer than `minimum` serials are left."""
        left = self.left()
        if left >= minimum:
            return left
        block = await server.reserve_sscc(self.block_size, session_token)
        with self.uow() as uow:
            uow.packing.add_sscc_block(block)
            uow.commit()
        return self.left()
