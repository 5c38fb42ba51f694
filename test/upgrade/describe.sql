-- Lists the engage extension of the current database as sorted text lines, free of OIDs, so that
-- two databases can be compared with diff (test/t/upgrade.sh: a database brought to the current
-- version by ALTER EXTENSION engage UPDATE against a fresh install). Covers the extension row,
-- every member object and its comment, every function's full definition (pg_get_functiondef) and
-- properties, every aggregate's pg_aggregate row, every type's definition (composite attributes
-- in order, enum labels in order), operators, operator class members, casts and column comments.
SELECT 'extension ' || format('version %s relocatable %s config %s condition %s',
                              extversion, extrelocatable, extconfig::regclass[], extcondition)
FROM pg_extension WHERE extname = 'engage'
UNION ALL
SELECT 'member ' || pg_describe_object(d.classid, d.objid, 0) || ' : ' || coalesce(obj_description(d.objid, d.classid::regclass::text), '')
FROM pg_depend AS d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'engage')
UNION ALL
SELECT format('function %s returns %s kind %s volatile %s strict %s parallel %s secdef %s leakproof %s cost %s rows %s lang %s support %s acl %s config %s',
              p.oid::regprocedure, pg_get_function_result(p.oid), p.prokind, p.provolatile, p.proisstrict,
              p.proparallel, p.prosecdef, p.proleakproof, p.procost, p.prorows, l.lanname,
              p.prosupport::regprocedure, p.proacl, p.proconfig)
FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang
WHERE p.pronamespace = 'engage'::regnamespace
UNION ALL
SELECT format('definition %s:%s', p.oid::regprocedure, E'\n' || pg_get_functiondef(p.oid))
FROM pg_proc AS p
WHERE p.pronamespace = 'engage'::regnamespace AND p.prokind <> 'a'
UNION ALL
SELECT format('aggregate %s(%s) kind %s direct %s sfunc %s stype %s sspace %s finalfunc %s finalextra %s finalmodify %s '
              'combinefunc %s serialfunc %s deserialfunc %s initcond %s msfunc %s minvfunc %s mstype %s msspace %s '
              'mfinalfunc %s mfinalextra %s mfinalmodify %s minitcond %s sortop %s',
              a.aggfnoid::regproc, pg_get_function_identity_arguments(a.aggfnoid), a.aggkind, a.aggnumdirectargs,
              a.aggtransfn::regprocedure, a.aggtranstype::regtype, a.aggtransspace,
              a.aggfinalfn::regprocedure, a.aggfinalextra, a.aggfinalmodify,
              a.aggcombinefn::regprocedure, a.aggserialfn::regprocedure, a.aggdeserialfn::regprocedure, a.agginitval,
              a.aggmtransfn::regprocedure, a.aggminvtransfn::regprocedure, a.aggmtranstype::regtype, a.aggmtransspace,
              a.aggmfinalfn::regprocedure, a.aggmfinalextra, a.aggmfinalmodify, a.aggminitval,
              a.aggsortop::regoperator)
FROM pg_aggregate AS a JOIN pg_proc AS p ON p.oid = a.aggfnoid
WHERE p.pronamespace = 'engage'::regnamespace
UNION ALL
SELECT format('type %s type %s len %s byval %s category %s preferred %s delim %s input %s output %s receive %s send %s '
              'typmodin %s typmodout %s analyze %s subscript %s align %s storage %s notnull %s base %s typmod %s '
              'ndims %s collation %s default %s element %s array %s acl %s',
              t.oid::regtype, t.typtype, t.typlen, t.typbyval, t.typcategory, t.typispreferred, t.typdelim,
              t.typinput::regprocedure, t.typoutput::regprocedure, t.typreceive::regprocedure, t.typsend::regprocedure,
              t.typmodin::regprocedure, t.typmodout::regprocedure, t.typanalyze::regprocedure,
              t.typsubscript::regprocedure, t.typalign, t.typstorage, t.typnotnull, t.typbasetype::regtype,
              t.typtypmod, t.typndims, t.typcollation::regcollation, t.typdefault, t.typelem::regtype,
              t.typarray::regtype, t.typacl)
FROM pg_type AS t
WHERE t.typnamespace = 'engage'::regnamespace
UNION ALL
-- attributes by position, not attnum: a column dropped and added again is not visible to users
SELECT format('attribute %s.%s %s %s collation %s notnull %s comment %s',
              t.oid::regtype, row_number() OVER (PARTITION BY t.oid ORDER BY a.attnum), a.attname,
              format_type(a.atttypid, a.atttypmod), a.attcollation::regcollation, a.attnotnull,
              col_description(a.attrelid, a.attnum))
FROM pg_type AS t JOIN pg_attribute AS a ON a.attrelid = t.typrelid
WHERE t.typnamespace = 'engage'::regnamespace AND t.typtype = 'c' AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
-- labels by sort position, not by their float enumsortorder
SELECT format('enum %s.%s %s', e.enumtypid::regtype,
              row_number() OVER (PARTITION BY e.enumtypid ORDER BY e.enumsortorder), e.enumlabel)
FROM pg_enum AS e JOIN pg_type AS t ON t.oid = e.enumtypid
WHERE t.typnamespace = 'engage'::regnamespace
UNION ALL
SELECT format('operator %s kind %s result %s code %s commutator %s negator %s restrict %s join %s merges %s hashes %s',
              o.oid::regoperator, o.oprkind, o.oprresult::regtype, o.oprcode::regprocedure,
              o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest::regprocedure, o.oprjoin::regprocedure,
              o.oprcanmerge, o.oprcanhash)
FROM pg_operator AS o
WHERE o.oprnamespace = 'engage'::regnamespace
UNION ALL
SELECT format('opclass %s of %s for %s default %s keytype %s',
              c.opcname, am.amname, c.opcintype::regtype, c.opcdefault, c.opckeytype::regtype)
FROM pg_opclass AS c JOIN pg_am AS am ON am.oid = c.opcmethod
WHERE c.opcnamespace = 'engage'::regnamespace
UNION ALL
SELECT format('opfamily %s member operator %s strategy %s (%s, %s) purpose %s sortfamily %s',
              f.opfname, o.amopopr::regoperator, o.amopstrategy, o.amoplefttype::regtype, o.amoprighttype::regtype,
              o.amoppurpose, o.amopsortfamily)
FROM pg_amop AS o JOIN pg_opfamily AS f ON f.oid = o.amopfamily
WHERE f.opfnamespace = 'engage'::regnamespace
UNION ALL
SELECT format('opfamily %s member function %s number %s (%s, %s)',
              f.opfname, p.amproc::regprocedure, p.amprocnum, p.amproclefttype::regtype, p.amprocrighttype::regtype)
FROM pg_amproc AS p JOIN pg_opfamily AS f ON f.oid = p.amprocfamily
WHERE f.opfnamespace = 'engage'::regnamespace
UNION ALL
SELECT format('cast %s context %s method %s : %s',
              pg_describe_object('pg_cast'::regclass, c.oid, 0), c.castcontext, c.castmethod,
              coalesce(obj_description(c.oid, 'pg_cast'), ''))
FROM pg_cast AS c
WHERE c.castsource IN (SELECT oid FROM pg_type WHERE typnamespace = 'engage'::regnamespace)
   OR c.casttarget IN (SELECT oid FROM pg_type WHERE typnamespace = 'engage'::regnamespace)
ORDER BY 1;
