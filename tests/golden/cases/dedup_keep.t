# dedup keeps the first (newest) result per value
query: * | dedup user | table user eventName
---
user,eventName
bob,DeleteBucket
alice,RunInstances
