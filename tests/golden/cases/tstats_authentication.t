# tstats over the CIM Authentication datamodel: the three console sign-ins (tagged
# `authentication`), grouped by user, result and source; min(_time) as epoch seconds
query: | tstats count min(_time) as firstTime from datamodel=Authentication by Authentication.user Authentication.action Authentication.src
---
Authentication.user,Authentication.action,Authentication.src,count,firstTime
alice,success,198.51.100.10,1,1717228800
bob,failure,203.0.113.5,2,1717228860
