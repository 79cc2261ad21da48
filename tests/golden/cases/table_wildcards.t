# table keeps listed fields in order; a wildcard expands alphabetically
query: eventName=RunInstances | table eventName responseElements.instancesSet.items{}.instance*
---
eventName,responseElements.instancesSet.items{}.instanceId,responseElements.instancesSet.items{}.instanceState.code,responseElements.instancesSet.items{}.instanceState.name
RunInstances,"i-0golden00000001
i-0golden00000002","0
0","pending
pending"
