-- A small estate in FREEPDB1 for trying migrate-grants (runs once, as SYS, at database creation).
ALTER SESSION SET CONTAINER = FREEPDB1;

-- the account migrate-grants extracts with: it only needs to read the dictionary
CREATE USER mg_extract IDENTIFIED BY "Extract_Passw0rd";
GRANT CREATE SESSION, SELECT_CATALOG_ROLE TO mg_extract;

CREATE USER hr IDENTIFIED BY "Hr_Passw0rd" DEFAULT TABLESPACE users QUOTA UNLIMITED ON users;
GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE PROCEDURE, CREATE VIEW TO hr;
CREATE TABLE hr.departments (department_id NUMBER PRIMARY KEY, department_name VARCHAR2(30));
CREATE TABLE hr.employees (employee_id NUMBER PRIMARY KEY, email VARCHAR2(25), salary NUMBER(8, 2),
                           department_id NUMBER REFERENCES hr.departments);
CREATE SEQUENCE hr.employees_seq;
CREATE VIEW hr.emp_details_view AS SELECT e.employee_id, d.department_name
  FROM hr.employees e JOIN hr.departments d ON d.department_id = e.department_id;
CREATE PROCEDURE hr.raise_salary (p_id NUMBER, p_pct NUMBER) AS
BEGIN
  UPDATE hr.employees SET salary = salary * (1 + p_pct / 100) WHERE employee_id = p_id;
END;
/

CREATE ROLE app_read;
CREATE ROLE app_write;
GRANT app_read TO app_write;
GRANT SELECT ON hr.departments TO app_read;
GRANT SELECT ON hr.employees TO app_read;
GRANT SELECT ON hr.emp_details_view TO app_read;
GRANT INSERT, UPDATE (salary) ON hr.employees TO app_write;
GRANT SELECT ON hr.employees_seq TO app_write;

CREATE USER app_user IDENTIFIED BY "App_Passw0rd";
GRANT CONNECT TO app_user;
GRANT app_read, app_write TO app_user;
ALTER USER app_user DEFAULT ROLE ALL EXCEPT app_write;
GRANT SELECT ON hr.employees TO app_user WITH GRANT OPTION;
GRANT EXECUTE ON hr.raise_salary TO app_user;
GRANT EXECUTE ON sys.dbms_lock TO app_user;

CREATE USER reporter IDENTIFIED BY "Rep_Passw0rd" ACCOUNT LOCK;
GRANT CREATE SESSION, app_read TO reporter;
ALTER USER reporter GRANT CONNECT THROUGH app_user;
