# count(eval(...)) and no by-clause
query: * | stats count count(eval(errorCode!="success")) as failures dc(user) as users
---
count,failures,users
11,3,2
