# mvexpand makes one row per value, in place
query: eventName=RunInstances | rename responseElements.instancesSet.items{}.instanceId as id | mvexpand id | table eventName id
---
eventName,id
RunInstances,i-0golden00000001
RunInstances,i-0golden00000002
