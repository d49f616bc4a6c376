-- One database per service (architecture.md): a service never reads another's.
CREATE DATABASE intake;
CREATE DATABASE roster;
CREATE DATABASE escalation;
CREATE DATABASE notify;
CREATE DATABASE gateway;
