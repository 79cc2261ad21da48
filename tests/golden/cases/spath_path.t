# spath reads a path of a JSON field (here the whole event) into a new field
query: eventName=RunInstances | spath output=ids path=responseElements.instancesSet.items{}.instanceId | spath output=itype path=requestParameters.instanceType | table ids itype
---
ids,itype
"i-0golden00000001
i-0golden00000002",c5.4xlarge
