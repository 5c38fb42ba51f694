-- engage 0.1.0 -> 0.2.0: ALTER EXTENSION engage UPDATE TO '0.2.0'.
-- Every change to the SQL of src/sql/ since 0.1.0 is repeated here, so that an upgraded
-- database has the objects of a fresh 0.2.0 install (test/t/install.sh and
-- test/t/upgrade.sh check it).
\echo Use "ALTER EXTENSION engage UPDATE TO '0.2.0'" to load this file. \quit
