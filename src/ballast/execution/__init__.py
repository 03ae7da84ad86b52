"""Execution: the order state machine, blocks and fair allocation, the broker contract and the
simulated broker. Imports domain and config only; the engine wires it to the store and ledger."""

from ballast.execution.blocks import (
    AccountTrade,
    Allocation,
    Block,
    PlanLine,
    allocate,
    build_blocks,
    net_trades,
)
from ballast.execution.broker import Broker, BrokerReport, Capabilities, Clock, SimulatedClock
from ballast.execution.orders import (
    TRANSITIONS,
    Fill,
    InvalidTransition,
    Order,
    OrderEvent,
    OrderState,
    OrderType,
    Side,
    TimeInForce,
    client_order_id,
)
from ballast.execution.simulated import SimulatedBroker, SimulationConfig
from ballast.execution.slippage import limit_price, split_by_volume

__all__ = [
    "TRANSITIONS", "AccountTrade", "Allocation", "Block", "Broker", "BrokerReport",
    "Capabilities", "Clock", "Fill", "InvalidTransition", "Order", "OrderEvent", "OrderState",
    "OrderType", "PlanLine", "Side", "SimulatedBroker", "SimulatedClock", "SimulationConfig",
    "TimeInForce", "allocate", "build_blocks", "client_order_id", "limit_price", "net_trades",
    "split_by_volume",
]
