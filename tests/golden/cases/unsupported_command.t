# an unsupported command is an error naming it
query: * | transaction user
---
exit 1
spelunk::unsupported

  × the command `transaction` is not supported yet
   ╭─[search:1:5]
 1 │ * | transaction user
   ·     ─────┬─────
   ·          ╰── not supported
   ╰────
