"""The MQTT app (aiomqtt): publish messages; collect messages as a polling trigger.

Connection type ``mqtt.broker`` (host, port, username, password (secret),
tls (default true), ca_cert).

Modules:

- ``mqtt.publish`` (action): ``topic``, ``payload`` (text or JSON), ``qos``, ``retain``;
  outputs ``{topic, qos, retain, bytes}``.
- ``mqtt.subscribe`` (polling trigger): ``topic`` filter, ``qos``, ``wait_seconds``,
  ``max_messages``, ``persistent_session``; one bundle ``{topic, payload, qos, retain}`` per message.

Errors: refused credentials ``AuthenticationError``; an unreachable broker
``ConnectionError``; no answer in time ``ModuleTimeoutError``.
"""

from scenarist.apps.mqtt._connection import CONNECTION_TYPE, BrokerFields
from scenarist.apps.mqtt._modules import PublishParams, SubscribeParams, publish, subscribe
from scenarist.sdk import App, ModuleSpec

_CONNECTIONS = (CONNECTION_TYPE.key,)

PUBLISH = ModuleSpec(
    key="publish", label="Publish a message",
    description="Publish one message (text or JSON) to a topic with the chosen QoS and retain flag.",
    params=PublishParams, run=publish, connection_types=_CONNECTIONS, connection_required=True,
)
SUBSCRIBE = ModuleSpec(
    key="subscribe", label="Watch messages",
    description="Collect the messages on a topic filter for a few seconds; one bundle per message "
    "(payload parsed from JSON when it is JSON).",
    params=SubscribeParams, run=subscribe, kind="search", connection_types=_CONNECTIONS,
    connection_required=True, polling=True,
)

app = App(
    key="mqtt",
    label="MQTT",
    description="Publish to and collect from an MQTT broker.",
    modules=(PUBLISH, SUBSCRIBE),
    connection_types=(CONNECTION_TYPE,),
)

__all__ = ["PUBLISH", "SUBSCRIBE", "BrokerFields", "app"]
